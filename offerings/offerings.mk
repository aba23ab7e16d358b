# offerings/: the DPDK details, pure functions over plain data.
OFFERINGS_SRCS := offerings/mode.c offerings/grammar.c offerings/snippet.c \
                  offerings/details.c offerings/offering.c
