#ifndef REACH_CGDAL_SHIM_H
#define REACH_CGDAL_SHIM_H
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_error.h>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_utils.h>
#if GDAL_VERSION_NUM < 3040000
#error "Reach needs GDAL >= 3.4"
#endif
#endif
