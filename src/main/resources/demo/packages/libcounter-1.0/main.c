#include <stdio.h>
#include "counter.h"
int main(void) {
  counter_next();
  printf("counter=%d\n", counter_next());
  return counter_hits == 2 ? 0 : 1;
}
