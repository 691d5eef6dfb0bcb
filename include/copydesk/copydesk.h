/* copydesk — everything a plugin needs: #include <copydesk/copydesk.h>. */
#pragma once

#include <copydesk/document.h>
#include <copydesk/errors.h>
#include <copydesk/json.h>
#include <copydesk/options.h>
#include <copydesk/plugin.h>
#include <copydesk/version.h>
