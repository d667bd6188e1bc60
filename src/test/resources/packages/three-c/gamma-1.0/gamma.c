#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("gamma %zu\n", argc > 1 ? strlen(argv[1]) : (size_t) 0);
  return 0;
}
