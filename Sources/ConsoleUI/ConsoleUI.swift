// view(model) onto a Canvas and the in-memory ScreenBuffer land here; see the console issue.
import ConsoleCore

/// Marks the console UI's place in the dependency order until the screens land.
public enum ConsoleUI {}
