#include <stdio.h>
int main(void) {
  int unused_result = 42; /* a warning; with -Werror an error */
  puts("strict ok");
  return 0;
}
