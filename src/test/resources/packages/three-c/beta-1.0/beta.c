#include <stdio.h>

/* Like a package that needs a build option the plan does not pass: configure --with-answer=N. */
#ifndef ANSWER
#error "ANSWER is not defined: configure with --with-answer=N"
#endif

int main(void) {
  printf("beta %d\n", ANSWER);
  return 0;
}
