{{ indicator_counts('p8_environment') }}
