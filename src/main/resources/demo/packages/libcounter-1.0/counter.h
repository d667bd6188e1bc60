/* A tentative definition in a header: fine before gcc 10, "multiple definition" since
   -fno-common became the default. */
int counter_hits;
int counter_next(void);
