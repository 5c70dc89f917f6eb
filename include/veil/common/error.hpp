#pragma once
// Typed errors thrown at veil's boundaries. Messages name the offending value
// and the expected one ("tensor conv1.weight: shape [64,3,7,7], expected [64,3,3,3]").
#include <stdexcept>
#include <string>

namespace veil {

/// Base of every error veil throws on bad input or misuse.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A file or stream is malformed, truncated, of the wrong version or fails its checksum.
class FormatError : public Error {
 public:
  using Error::Error;
};

/// A file cannot be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

/// Arguments disagree with each other or with the objects they are used with.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A cryptographic parameter set is not vetted (or not secure) for the requested use.
class SecurityError : public Error {
 public:
  using Error::Error;
};

}  // namespace veil
