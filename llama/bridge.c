// C trampolines for the callbacks llama.cpp takes: cgo forbids C definitions next to //export directives.
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include "bridge.h"
#include "llama.h"
#include "_cgo_export.h"

// llama.cpp calls the log callback synchronously on the thread that logs, so the thread identifies the call.
static void chimera_log(enum ggml_log_level level, const char * text, void * user_data) {
    (void) user_data;
    goLog((int) level, (char *) text, chimera_thread());
}

void chimera_log_install(void) {
    llama_log_set(chimera_log, NULL);
}

static int chimera_abort_status = 1;

// ggml calls this for a failed GGML_ASSERT or GGML_ABORT, just before it would abort the process with a backtrace.
// One line and an exit instead: the process cannot go on, but the user gets the assert rather than a core dump.
static void chimera_on_ggml_abort(const char * message) {
    fprintf(stderr, "chimera: llama.cpp aborted: %s (a check chimera lacks: please report it)\n", message);
    fflush(stderr);
    _exit(chimera_abort_status);
}

void chimera_ggml_abort_install(int exit_status) {
    chimera_abort_status = exit_status;
    ggml_set_abort_callback(chimera_on_ggml_abort);
}

uintptr_t chimera_thread(void) {
    return (uintptr_t) pthread_self();
}

static bool chimera_progress(float progress, void * user_data) {
    return goProgress(progress, (uintptr_t) user_data);
}

void chimera_set_progress(struct llama_model_params * params, uintptr_t handle) {
    params->progress_callback = chimera_progress;
    params->progress_callback_user_data = (void *) handle;
}

struct chimera_abort {
    atomic_int set;
};

// Returns NULL when out of memory.
struct chimera_abort * chimera_abort_new(void) {
    struct chimera_abort * flag = malloc(sizeof *flag);
    if (flag != NULL) {
        atomic_init(&flag->set, 0);
    }
    return flag;
}

void chimera_abort_store(struct chimera_abort * flag, int value) {
    atomic_store(&flag->set, value);
}

static bool chimera_abort(void * data) {
    return atomic_load(&((struct chimera_abort *) data)->set) != 0;
}

void chimera_set_abort(struct llama_context_params * params, struct chimera_abort * flag) {
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

// Returns 1 when every value is finite (a plain loop the compiler vectorises).
int chimera_all_finite(const float * values, int32_t n) {
    int finite = 1;
    for (int32_t i = 0; i < n; i++) {
        finite &= isfinite(values[i]);
    }
    return finite;
}
