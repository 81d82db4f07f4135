"""The sections made from one benchmark program's results file."""

import functools


def program_section(program, heading):
    """Decorator for a section drawn from PROGRAM's results: the decorated
    function(res, results) returns the paragraphs under HEADING; a program
    that wrote no results file gets "Not run." in their place."""

    def wrap(paragraphs):
        @functools.wraps(paragraphs)
        def section(res):
            r = res.programs[program]
            if not r.present:
                return heading + "Not run.\n"
            return "\n".join([heading] + paragraphs(res, r))

        return section

    return wrap
