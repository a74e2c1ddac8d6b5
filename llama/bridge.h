#include <stdint.h>
#include <stdlib.h>
#include "llama.h"
#include "ggml-cpu.h"

// An abort flag: Go sets it while llama.cpp's compute threads poll it, so it is a C11 atomic touched only by
// these functions. Opaque to Go (cgo does not handle _Atomic types); free it with free().
struct chimera_abort;

void chimera_log_install(void);
void chimera_ggml_abort_install(int exit_status);
uintptr_t chimera_thread(void);
void chimera_set_progress(struct llama_model_params * params, uintptr_t handle);
struct chimera_abort * chimera_abort_new(void);
void chimera_abort_store(struct chimera_abort * flag, int value);
void chimera_set_abort(struct llama_context_params * params, struct chimera_abort * flag);
const char * chimera_dlcheck(const char * path);
int chimera_all_finite(const float * values, int32_t n);
ggml_threadpool_t chimera_threadpool_new(int n_threads);
llama_token chimera_sample(struct llama_sampler * chain, const float * logits, int32_t n_vocab, int32_t keep,
                           llama_token_data * scratch);
