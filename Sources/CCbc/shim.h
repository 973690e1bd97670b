#ifndef REACH_CCBC_SHIM_H
#define REACH_CCBC_SHIM_H
#include <coin/Cbc_C_Interface.h>
#endif
