# JUnit 5's console launcher tree (--details=tree) as TAP, so that the Java
# bridge's tests count in make check's summary. Every line marked with a
# check mark (passed), a cross (failed) or an arrow (skipped) is a node; the
# tests are the leaves below the class level (a parameterised test is a node
# whose invocations are its leaves). Other lines pass through as comments.
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
    }
    pending = ""
}
/(✔|✘|↷)$/ {
    match($0, /^[│├└─ ]*/)
    depth = RLENGTH
    text = substr($0, depth + 1)
    mark = text
    sub(/^.* /, "", mark)
    sub(/ (✔|✘|↷)$/, "", text)
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
    }
    next
}
length($0) { print "# " $0 }
END {
    emit()
    printf "1..%d\n", n
}
