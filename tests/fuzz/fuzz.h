/* What every fuzz target includes: the libFuzzer entry point. Each target
 * runs real csdpdk code on the input and frees what it got; a crash, a
 * sanitizer report or a leak is a finding. Built two ways (tests/fuzz/fuzz.mk):
 * with clang's libFuzzer for 'make fuzz', and with replay.c's main() for
 * 'make check', which replays tests/fuzz/corpus/TARGET under ASan+UBSan. */
#ifndef CSDPDK_TESTS_FUZZ_H
#define CSDPDK_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
