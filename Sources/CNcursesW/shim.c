#include "CNcursesW.h"
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static struct termios saved_terminal;
static volatile sig_atomic_t saved = 0;

int amcash_get_wch(int *value) {
    wint_t character = 0;
    int result = get_wch(&character);
    *value = (int)character;
    return result;
}

void amcash_save_terminal(void) {
    if (tcgetattr(STDIN_FILENO, &saved_terminal) == 0) saved = 1;
}

void amcash_restore_terminal(void) {
    // Only async-signal-safe calls: this also runs inside the crash handler.
    static const char leave[] = "\033[0m\033[?25h\033[?1049l\r\n";
    if (saved) tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
    ssize_t ignored = write(STDOUT_FILENO, leave, sizeof leave - 1);
    (void)ignored;
}

static void crash_restore(int signal_number) {
    amcash_restore_terminal();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

void amcash_install_crash_restore(void) {
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) signal(signals[i], crash_restore);
}

int amcash_make_not_dumpable(void) {
#ifdef __linux__
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#else
    return 0;
#endif
}
