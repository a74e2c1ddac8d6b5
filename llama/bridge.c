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

// The backend libraries link the libggml-base.so.0 beside them: a second ggml core, with its own logger that writes
// to stderr. Loaded first by path and kept, it is the copy a backend's own load reuses (same soname), so the
// backend's first lines, logged while it registers, already go through chimera_log.
void chimera_log_install_base(const char * path) {
    void * base = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (base == NULL) {
        return; // the backend's load reports it
    }
    void (*set)(ggml_log_callback, void *) = (void (*)(ggml_log_callback, void *)) dlsym(base, "ggml_log_set");
    if (set != NULL) {
        set(chimera_log, NULL);
    }
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

// A persistent pool of n_threads compute threads (the caller's thread is one of them), with ggml's default
// polling: without OpenMP, ggml would otherwise start and join a disposable pool for every graph, once per token.
ggml_threadpool_t chimera_threadpool_new(int n_threads) {
    struct ggml_threadpool_params params = ggml_threadpool_params_default(n_threads);
    return ggml_threadpool_new(&params);
}

static void chimera_sift_down(llama_token_data * heap, size_t size, size_t i) {
    for (;;) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < size && heap[left].logit < heap[least].logit) {
            least = left;
        }
        if (right < size && heap[right].logit < heap[least].logit) {
            least = right;
        }
        if (least == i) {
            return;
        }
        llama_token_data swap = heap[i];
        heap[i] = heap[least];
        heap[least] = swap;
        i = least;
    }
}

// Puts the keep largest logits into out (a min-heap, so unordered) and returns how many: keep, or n_vocab when
// that is fewer. Blocks whose largest logit cannot enter the heap are skipped after one vectorisable pass.
static size_t chimera_top_logits(const float * logits, int32_t n_vocab, int32_t keep, llama_token_data * out) {
    enum { block = 64 };
    size_t size = 0;
    for (int32_t start = 0; start < n_vocab; start += block) {
        int32_t end = start + block < n_vocab ? start + block : n_vocab;
        if (size == (size_t) keep) {
            float largest = logits[start];
            for (int32_t i = start + 1; i < end; i++) {
                largest = logits[i] > largest ? logits[i] : largest;
            }
            if (largest <= out[0].logit) {
                continue;
            }
        }
        for (int32_t i = start; i < end; i++) {
            if (size < (size_t) keep) {
                out[size++] = (llama_token_data) { i, logits[i], 0.0f };
                if (size == (size_t) keep) {
                    for (size_t j = size / 2; j-- > 0;) {
                        chimera_sift_down(out, size, j);
                    }
                }
            } else if (logits[i] > out[0].logit) {
                out[0] = (llama_token_data) { i, logits[i], 0.0f };
                chimera_sift_down(out, size, 0);
            }
        }
    }
    return size;
}

// What llama_sampler_sample does (apply the chain to the candidates, accept the pick), on the keep largest logits
// only when keep > 0: scratch holds keep entries then, else n_vocab. Returns -1 where llama.cpp would assert.
llama_token chimera_sample(struct llama_sampler * chain, const float * logits, int32_t n_vocab, int32_t keep,
                           llama_token_data * scratch) {
    size_t size;
    if (keep > 0) {
        size = chimera_top_logits(logits, n_vocab, keep, scratch);
    } else {
        for (int32_t i = 0; i < n_vocab; i++) {
            scratch[i] = (llama_token_data) { i, logits[i], 0.0f };
        }
        size = (size_t) n_vocab;
    }
    llama_token_data_array candidates = { scratch, size, -1, false };
    llama_sampler_apply(chain, &candidates);
    if (candidates.selected < 0 || candidates.selected >= (int64_t) candidates.size) {
        return -1;
    }
    llama_token token = candidates.data[candidates.selected].id;
    llama_sampler_accept(chain, token);
    return token;
}
