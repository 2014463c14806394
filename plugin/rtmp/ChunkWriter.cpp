#include "ChunkWriter.hpp"
// Implementation pending (goaway-ingest / protocol core work).
