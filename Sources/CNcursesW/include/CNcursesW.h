#ifndef AMCASH_CNCURSESW_H
#define AMCASH_CNCURSESW_H
// ncursesw for Swift. SwiftPM drops the -D_XOPEN_SOURCE that pkg-config gives; without these the
// wide-character API (get_wch, mvaddwstr) is not declared.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <curses.h>

// Macros and globals Swift cannot see (or refuses as shared mutable state), as functions.
static inline WINDOW *amcash_stdscr(void) { return stdscr; }
static inline int amcash_lines(void) { return LINES; }
static inline int amcash_cols(void) { return COLS; }
static inline int amcash_colors(void) { return COLORS; }
static inline int amcash_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
static inline int amcash_key_f(int n) { return KEY_F(n); }
static inline int amcash_key_code_yes(void) { return KEY_CODE_YES; }
static inline int amcash_a_bold(void) { return (int)A_BOLD; }
static inline int amcash_a_reverse(void) { return (int)A_REVERSE; }
static inline int amcash_a_underline(void) { return (int)A_UNDERLINE; }
static inline int amcash_a_dim(void) { return (int)A_DIM; }
static inline int amcash_a_normal(void) { return (int)A_NORMAL; }
static inline int amcash_a_standout(void) { return (int)A_STANDOUT; }
static inline int amcash_a_italic(void) { return (int)A_ITALIC; }
static inline int amcash_a_blink(void) { return (int)A_BLINK; }

/// Reads one key: returns OK with a character, KEY_CODE_YES with a key code, ERR when none came.
int amcash_get_wch(int *value);

/// Remembers the terminal's settings before curses changes them.
void amcash_save_terminal(void);
/// Puts them back (and leaves the alternate screen) — also called from the crash handler.
void amcash_restore_terminal(void);
/// On SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE or SIGABRT: restore the terminal, then die as before.
void amcash_install_crash_restore(void);

/// Makes the process not dumpable (prctl PR_SET_DUMPABLE 0): no core file, no ptrace by the same user.
/// Returns 0 on success. (prctl is variadic, so Swift cannot call it.)
int amcash_make_not_dumpable(void);

#endif
