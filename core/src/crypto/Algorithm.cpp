//
// Algorithm.cpp
//
// Library: jwtflow core
//
// SPDX-License-Identifier: BSL-1.0
//
#include "jwtflow/Algorithm.h"
#include "jwtflow/Exception.h"
#include <Poco/String.h>

namespace jwtflow {

namespace {

const std::vector<Algorithm>& table()
{
	static const std::vector<Algorithm> algs = {
		{"RS256", KeyType::RSA, Algorithm::Padding::PKCS1, 256, 0},
		{"RS384", KeyType::RSA, Algorithm::Padding::PKCS1, 384, 0},
		{"RS512", KeyType::RSA, Algorithm::Padding::PKCS1, 512, 0},
		{"PS256", KeyType::RSA, Algorithm::Padding::PSS, 256, 0},
		{"PS384", KeyType::RSA, Algorithm::Padding::PSS, 384, 0},
		{"PS512", KeyType::RSA, Algorithm::Padding::PSS, 512, 0},
		{"ES256", KeyType::EC, Algorithm::Padding::ECDSA, 256, 32},
	};
	return algs;
}

std::string joined(const std::vector<std::string>& names)
{
	return Poco::cat(std::string(", "), names.begin(), names.end());
}

} // namespace

const Algorithm& Algorithm::fromName(const std::string& name)
{
	for (const auto& alg: table())
		if (alg.name == name) return alg;
	std::string why;
	if (Poco::icompare(name, "none") == 0)
		why = "unsigned JWTs (alg none) are never accepted";
	else if (name.size() > 2 && (name[0] == 'H' || name[0] == 'h') && (name[1] == 'S' || name[1] == 's'))
		why = "HMAC algorithms are not supported: jwtflow signs with private keys only";
	else
		why = "unknown algorithm";
	throw UsageException("algorithm '" + name + "': " + why + "; supported: " + joined(supportedNames()));
}

bool Algorithm::isSupported(const std::string& name)
{
	for (const auto& alg: table())
		if (alg.name == name) return true;
	return false;
}

std::vector<std::string> Algorithm::supportedNames()
{
	std::vector<std::string> names;
	for (const auto& alg: table()) names.push_back(alg.name);
	return names;
}

std::vector<std::string> Algorithm::namesForKey(KeyType type)
{
	std::vector<std::string> names;
	for (const auto& alg: table())
		if (alg.keyType == type) names.push_back(alg.name);
	return names;
}

} // namespace jwtflow
