# JUnit 5's console launcher tree (--details=tree) as TAP, so that the Java
# bridge's tests count in make check's summary. Every line marked with a
# check mark (passed), a cross (failed, its message after it) or an arrow
# (skipped) is a node; the tests are the leaves below the class level (a
# parameterised test is a node whose invocations are its leaves). Other
# lines pass through as comments.
function emit(    name) {
    if (!pending) {
        return
    }
    n++
    if (pending_mark == "✔") {
        printf "ok %d - %s > %s\n", n, class, pending
    } else if (pending_mark == "↷") {
        printf "ok %d - %s > %s # SKIP skipped by JUnit\n", n, class, pending
    } else {
        printf "not ok %d - %s > %s\n", n, class, pending
        if (pending_message != "") {
            printf "#   %s\n", pending_message
        }
    }
    pending = ""
}
# The first mark after a space, then the end of the line or a space and
# the failure's message: sets mark, and returns where it is (0: none).
function find_mark(t,    i, k, best) {
    best = 0
    for (k = 1; k <= 3; k++) {
        i = index(t, " " marks[k])
        if (i && (!best || i < best) && (i + 1 + length(marks[k]) > length(t) ||
                                           substr(t, i + 1 + length(marks[k]), 1) == " ")) {
            best = i
            mark = marks[k]
        }
    }
    return best
}
BEGIN { marks[1] = "✔"; marks[2] = "✘"; marks[3] = "↷" }
/ (✔|✘|↷)( |$)/ {
    match($0, /^[│├└─ ]*/)
    depth = RLENGTH
    text = substr($0, depth + 1)
    at = find_mark(text)
    if (!at) {
        print "# " $0
        next
    }
    message = substr(text, at + 1 + length(mark) + 1)
    text = substr(text, 1, at - 1)
    if (pending && depth <= pending_depth) {
        emit()
    }
    pending = ""
    if (!root_depth) {
        root_depth = depth              # "JUnit Jupiter"
    } else if (!class_depth || depth == class_depth) {
        class_depth = depth
        class = text
    } else {
        pending = text
        pending_depth = depth
        pending_mark = mark
        pending_message = message
    }
    next
}
length($0) { print "# " $0 }
END {
    emit()
    printf "1..%d\n", n
}
