#include <stdio.h>
int main(void) { puts("zkm: placeholder"); return 0; }
