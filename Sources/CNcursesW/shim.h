#ifndef AMCASH_CNCURSESW_SHIM_H
#define AMCASH_CNCURSESW_SHIM_H
// SwiftPM drops the -D_XOPEN_SOURCE that pkg-config gives; without this the
// wide-character API (wget_wch, mvwaddwstr) is not declared.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <curses.h>
#endif
