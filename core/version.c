/* copydesk — the library's version. */
#include "build_paths.h"

#include <copydesk/version.h>

const char *
copydesk_version(void)
{
  return COPYDESK_VERSION_STRING;
}
