"""The timeline and its rules, as pure functions over model types (no database, no I/O).

`fold` turns statements into each commitment's status changes; `support` is
how sure the articles of a day make a status (copies of one story counted
once, one `Weights`), which the fold and the digest's `corroboration` both
use; `official` says which sources are official; `alerts` which new changes
alert and which only rewrite history; `ordering` where an article sorts among
its day's; `review` how an analyst's status becomes a statement; `versions`
each government's version and where the two differ.
"""
