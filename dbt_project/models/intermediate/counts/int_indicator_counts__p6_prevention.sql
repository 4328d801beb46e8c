{{ indicator_counts('p6_prevention') }}
