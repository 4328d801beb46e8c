{{ indicator_counts('p1_best_start') }}
