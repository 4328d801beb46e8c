{{ indicator_counts('p7_racism') }}
