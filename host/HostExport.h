//
// HostExport.h
//
// Program: jwtflow
// The host's classes that its network module (jwtflow-network.so) calls back
// into: exported from the executable, hidden otherwise.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_HOST_HOSTEXPORT_INCLUDED
#define JWTFLOW_HOST_HOSTEXPORT_INCLUDED

#define JWTFLOW_HOST_API __attribute__((visibility("default")))

#endif
