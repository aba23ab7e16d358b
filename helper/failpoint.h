/* Failpoints: named steps where a test build of csdpdk dies on purpose, to
 * show that a crash at any step leaves the host consistent and that the
 * retried request converges (tests/failpoints.sh).
 *
 * Compiled in only with -DCSDPDK_FAILPOINTS (the ASan+UBSan test build);
 * in the shipped binary FAILPOINT() is nothing at all. There,
 * CSDPDK_FAILPOINT=NAME[@N][:kill|:stop] in the environment makes the Nth
 * passage (default the first) through NAME end the process: _exit(99), or
 * SIGKILL with ':kill'; ':stop' stops it there instead (SIGSTOP) until a
 * test continues it (SIGCONT), having done something in between: races
 * made on purpose (tests/integration/hook-direct.sh). */
#ifndef CSDPDK_FAILPOINT_H
#define CSDPDK_FAILPOINT_H

#ifdef CSDPDK_FAILPOINTS
void failpoint(const char *name);
#define FAILPOINT(name) failpoint(name)
#else
#define FAILPOINT(name) ((void) 0)
#endif

#endif
