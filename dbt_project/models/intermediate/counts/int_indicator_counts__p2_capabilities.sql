{{ indicator_counts('p2_capabilities') }}
