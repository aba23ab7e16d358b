#include "offerings/mode.h"

#include <strings.h>

#include "helper/text.h"

static const struct vhost_mode_info modes[] = {
    [VHOST_MODE_SERVER] = {"server", "dpdkvhostuser", "client", true},
    [VHOST_MODE_CLIENT] = {"client", "dpdkvhostuserclient", "server", false},
};

const struct vhost_mode_info *vhost_mode_info(enum vhost_mode mode)
{
    return &modes[mode];
}

struct err *vhost_mode_parse(const char *value, const char *field, enum vhost_mode *mode)
{
    if (!value) {
        *mode = VHOST_MODE_DEFAULT;
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        if (!strcasecmp(value, modes[i].name)) {
            *mode = (enum vhost_mode) i;
            return NULL;
        }
    }

    _cleanup_free_ char *shown = text_quote_for_message(value, 64);
    return err_new(ERR_INVALID_MODE, field, "DPDK-VHOSTUSER must be 'client' or 'server', not %s",
                   shown);
}
