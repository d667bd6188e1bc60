#include <stdio.h>
int main(void) { puts("hello from the bq2 demo"); return 0; }
