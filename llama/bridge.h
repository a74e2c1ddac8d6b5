#include <stdint.h>
#include <stdlib.h>
#include "llama.h"

void chimera_log_install(void);
void chimera_set_progress(struct llama_model_params * params, uintptr_t handle);
void chimera_set_abort(struct llama_context_params * params, int * flag);
const char * chimera_dlcheck(const char * path);
