#ifndef REACH_CPROJ_SHIM_H
#define REACH_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>
#if PROJ_VERSION_MAJOR < 8
#error "Reach needs PROJ >= 8"
#endif
#endif
