#include "veil/runtime/server.hpp"
