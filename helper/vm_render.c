#include "helper/vm_render.h"

#include "helper/domxml.h"
#include "helper/mem.h"

char *vm_socket_path(const char *socket_dir, const char *port)
{
    size_t n = strlen(socket_dir);
    return mem_asprintf("%s%s%s", socket_dir, n && socket_dir[n - 1] == '/' ? "" : "/", port);
}

struct err *vm_render(const struct vm_request *req, const char *socket_dir, json_t *result,
                      json_t *warnings)
{
    struct domxml_vm vm = {
        .details = req->details,
        .reconnect = req->reconnect,
        .vcpus = req->vcpus,
        .memory_kib = req->memory_kib,
        .details_field = "details",
    };
    _cleanup_free_ struct domxml_nic *nics = mem_new0(struct domxml_nic, req->n_nics);
    char **sockets = mem_new0(char *, req->n_nics);
    char **fields = mem_new0(char *, req->n_nics);
    char **interfaces = NULL;
    _cleanup_free_ char *domain = NULL;

    for (size_t i = 0; i < req->n_nics; i++) {
        sockets[i] = vm_socket_path(socket_dir, req->nics[i].port);
        fields[i] = mem_asprintf("nics[%zu]", i);
        nics[i] = (struct domxml_nic){req->nics[i].mac, req->nics[i].port, sockets[i],
                                      req->nics[i].queues, fields[i]};
    }

    struct err *e = domxml_interfaces(&vm, nics, req->n_nics, &interfaces);
    if (!e && req->domain_xml) {
        char **merge_warnings = NULL;
        size_t n_merge_warnings = 0;
        e = domxml_merge(&vm, nics, req->n_nics, req->domain_xml, req->domain_xml_size, &domain,
                         &merge_warnings, &n_merge_warnings);
        for (size_t i = 0; i < n_merge_warnings; i++) {
            json_array_append_new(warnings, json_string(merge_warnings[i]));
        }
        domxml_strings_free(merge_warnings, n_merge_warnings);
    } else if (!e) {
        e = domxml_check(&vm);
        if (!e && (!req->vcpus || !req->memory_kib)) {
            json_array_append_new(warnings,
                                  json_string("without vm.vcpus and vm.memory_kib (or a domain_xml) the NUMA cells were not checked against the VM's vCPUs and memory"));
        }
    }

    if (!e) {
        json_t *list = json_array();
        for (size_t i = 0; i < req->n_nics; i++) {
            json_array_append_new(list, json_string(interfaces[i]));
        }
        json_object_set_new(result, "interfaces", list);
        json_object_set_new(result, "numa", json_string(req->details->numa));
        json_object_set_new(result, "hugepages", json_string(req->details->hugepages));
        if (domain) {
            json_object_set_new(result, "domain_xml", json_string(domain));
        }
    }
    domxml_strings_free(interfaces, req->n_nics);
    domxml_strings_free(sockets, req->n_nics);
    domxml_strings_free(fields, req->n_nics);
    return e;
}
