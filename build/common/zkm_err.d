build/common/zkm_err.o: common/zkm_err.c common/zkm_err.h
common/zkm_err.h:
