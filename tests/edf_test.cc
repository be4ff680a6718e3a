#include "ecgad/edf.h"
