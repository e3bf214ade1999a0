"""The timeline's rules, as pure functions over model types (no database, no I/O).

What the store used to decide while reading and writing: where an article
sorts among its day's (`ordering`), which new changes alert and which are
quietly folded into history (`alerts`), how an analyst's status becomes a
statement (`review`), and which sources are official (`official`).
"""
