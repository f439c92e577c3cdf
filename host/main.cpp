//
// main.cpp
//
// Program: jwtflow
//
// SPDX-License-Identifier: BSL-1.0
//
#include "JwtflowApp.h"

int main(int argc, char** argv)
{
	jwtflow::host::JwtflowApp app;
	return app.start(argc, argv);
}
