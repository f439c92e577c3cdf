//
// ServiceAccountKey.h
//
// Plugin: google
// A Google service-account key file (JSON), read and checked field by field.
//
// SPDX-License-Identifier: BSL-1.0
//
#ifndef JWTFLOW_GOOGLE_SERVICEACCOUNTKEY_INCLUDED
#define JWTFLOW_GOOGLE_SERVICEACCOUNTKEY_INCLUDED

#include <memory>
#include <string>

namespace jwtflow {
namespace google {

struct ServiceAccountKey
	/// What jwtflow uses from the key file (never the private key: see readPrivateKeyPem).
{
	std::string path;
	std::string clientEmail;    /// iss (and sub without delegation)
	std::string privateKeyId;   /// kid
	std::string tokenUri;       /// aud and where the assertion goes
	std::string projectId;
};

const std::string& defaultTokenUri();
	/// https://oauth2.googleapis.com/token

std::shared_ptr<const ServiceAccountKey> loadServiceAccountKey(const std::string& path);
	/// Reads and checks the file (cached by path, size and modification time;
	/// thread-safe). Throws InputException naming the file and the field.

std::string readPrivateKeyPem(const std::string& path);
	/// The file's private_key (PEM text), after the same checks of every field
	/// (one read of the file). Throws InputException as above.

} // namespace google
} // namespace jwtflow

#endif
