build/gkr/fr.o: gkr/fr.c gkr/fr.h gkr/fr_impl.h
gkr/fr.h:
gkr/fr_impl.h:
