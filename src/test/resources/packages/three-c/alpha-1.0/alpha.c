#include <stdio.h>

int main(void) {
  printf("alpha ok\n");
  return 0;
}
