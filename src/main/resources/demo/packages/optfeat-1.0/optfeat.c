#include <stdio.h>
int main(void) { puts("optfeat without libfoo"); return 0; }
