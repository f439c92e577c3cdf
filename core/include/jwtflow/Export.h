//
// Export.h
//
// Library: jwtflow core
// Symbol visibility for the public API of libjwtflow_core and libjwtflow_net.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_EXPORT_INCLUDED
#define JWTFLOW_EXPORT_INCLUDED

#if defined(_WIN32)
#  if defined(JWTFLOW_CORE_EXPORTS)
#    define JWTFLOW_API __declspec(dllexport)
#  else
#    define JWTFLOW_API __declspec(dllimport)
#  endif
#else
#  define JWTFLOW_API __attribute__((visibility("default")))
#endif

// The network library (libjwtflow_net: HTTPS, the token client, the Redis store, the
// login pipeline, Session) has its own, so that it builds on the core's public API only.
#if defined(_WIN32)
#  if defined(JWTFLOW_NET_EXPORTS)
#    define JWTFLOW_NET_API __declspec(dllexport)
#  else
#    define JWTFLOW_NET_API __declspec(dllimport)
#  endif
#else
#  define JWTFLOW_NET_API __attribute__((visibility("default")))
#endif

#endif // JWTFLOW_EXPORT_INCLUDED
