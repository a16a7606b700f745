build/cli/zkm.o: cli/zkm.c
