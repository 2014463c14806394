#include "Command.hpp"
// Implementation pending (goaway-ingest / protocol core work).
