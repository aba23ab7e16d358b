# migration/: live migration of DPDK VMs (docs/design.md section 7).
MIGRATION_SRCS := migration/mapping.c migration/rewrite.c migration/checks.c \
                  migration/ops.c migration/verb_migrate_prepare.c migration/verb_migrate_check.c \
                  migration/verb_migrate_rewrite.c migration/verb_migrate_abort.c \
                  migration/verb_migrate_finish.c
