#include "Amf0.hpp"
// Implementation pending (goaway-ingest / protocol core work).
