#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  double a = argc > 1 ? atof(argv[1]) : 3.0, b = argc > 2 ? atof(argv[2]) : 4.0;
  printf("%g\n", sqrt(a * a + b * b)); /* needs libm: not a constant expression */
  return 0;
}
