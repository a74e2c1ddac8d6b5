// C trampolines for the callbacks llama.cpp takes: cgo forbids C definitions next to //export directives.
#include <dlfcn.h>
#include <stdint.h>
#include "llama.h"
#include "_cgo_export.h"

static void chimera_log(enum ggml_log_level level, const char * text, void * user_data) {
    (void) user_data;
    goLog((int) level, (char *) text);
}

void chimera_log_install(void) {
    llama_log_set(chimera_log, NULL);
}

static bool chimera_progress(float progress, void * user_data) {
    return goProgress(progress, (uintptr_t) user_data);
}

void chimera_set_progress(struct llama_model_params * params, uintptr_t handle) {
    params->progress_callback = chimera_progress;
    params->progress_callback_user_data = (void *) handle;
}

static bool chimera_abort(void * data) {
    return *(volatile int *) data != 0;
}

void chimera_set_abort(struct llama_context_params * params, int * flag) {
    params->abort_callback = chimera_abort;
    params->abort_callback_data = flag;
}

// Returns NULL when the library loads, else the dynamic loader's reason (ggml only logs it).
const char * chimera_dlcheck(const char * path) {
    void * handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        return dlerror();
    }
    dlclose(handle);
    return NULL;
}
