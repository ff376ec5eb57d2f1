// filled by the config loader work
#include "config/loader.hpp"
