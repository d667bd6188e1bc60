#include "counter.h"
int counter_next(void) { return ++counter_hits; }
